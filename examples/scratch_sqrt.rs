use std::hint::black_box;
use std::time::Instant;
fn med(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(100_000, |s| s.parse().unwrap());
    let v: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let fs = forkscope::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let ray = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let reps = (20_000_000 / n).max(5);
    let (mut a, mut b, mut c) = (vec![], vec![], vec![]);
    for _ in 0..7 {
        let t = Instant::now();
        for _ in 0..reps {
            black_box(black_box(&v).iter().map(|x| x.sqrt()).sum::<f64>());
        }
        a.push(t.elapsed().as_secs_f64() * 1e6 / reps as f64);
        let t = Instant::now();
        fs.install(|| {
            use forkscope::prelude::*;
            for _ in 0..reps {
                black_box(black_box(&v).par_iter().map(|x| x.sqrt()).sum::<f64>());
            }
        });
        b.push(t.elapsed().as_secs_f64() * 1e6 / reps as f64);
        let t = Instant::now();
        ray.install(|| {
            use rayon::prelude::*;
            for _ in 0..reps {
                black_box(black_box(&v).par_iter().map(|x| x.sqrt()).sum::<f64>());
            }
        });
        c.push(t.elapsed().as_secs_f64() * 1e6 / reps as f64);
    }
    let (a, b, c) = (med(a), med(b), med(c));
    println!(
        "n={n}: seq {a:.1} us  fs {b:.1} us ({:.2}x)  rayon {c:.1} us ({:.2}x)",
        a / b,
        a / c
    );
}

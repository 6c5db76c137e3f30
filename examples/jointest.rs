use std::time::Instant;
fn fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = forkscope::join(|| fib(n - 1), || fib(n - 2));
    a + b
}
fn fib_seq(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    fib_seq(n - 1) + fib_seq(n - 2)
}
fn main() {
    for threads in [1, 2] {
        let pool = forkscope::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for _ in 0..5 {
            let t = Instant::now();
            let r = pool.install(|| fib(30));
            let e = t.elapsed();
            let t2 = Instant::now();
            let r2 = std::hint::black_box(fib_seq(std::hint::black_box(30)));
            let e2 = t2.elapsed();
            assert_eq!(r, r2);
            println!(
                "threads={threads} par={e:?} seq={e2:?} ratio={:.2} ns/join={:.2}",
                e.as_secs_f64() / e2.as_secs_f64(),
                (e.as_nanos() as f64 - e2.as_nanos() as f64) / 1346268.0
            );
        }
    }
    println!("{}", fib(25));
}

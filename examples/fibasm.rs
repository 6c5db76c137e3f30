#[inline(never)]
pub fn fib_fs(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = forkscope::join(|| fib_fs(n - 1), || fib_fs(n - 2));
    a + b
}
#[inline(never)]
pub fn fib_seq(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    fib_seq(n - 1) + fib_seq(n - 2)
}
fn main() {
    let pool = forkscope::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let seq = std::env::args().nth(1).is_some();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let r = if seq {
            fib_seq(std::hint::black_box(30))
        } else {
            pool.install(|| fib_fs(std::hint::black_box(30)))
        };
        println!("{r} {:?}", t.elapsed());
    }
}

fn main() {
    let data: Vec<u64> = (1..=1000).collect();
    let mut total = 0;
    for _ in 0..3 {
        total = forkscope::scope(|s| {
            let hs: Vec<_> = data.chunks(250).map(|c| s.spawn(move || c.iter().sum::<u64>())).collect();
            hs.into_iter().map(|h| h.join().unwrap()).sum::<u64>()
        });
    }
    println!("{total}");
}

// Proves: `join` closures may borrow non-`'static` data, mutably when the two
// halves borrow disjoint parts, and may be nested inside a scoped spawn.
fn main() {
    let mut data = vec![1u64, 2, 3, 4, 5, 6];
    let (left, right) = data.split_at_mut(3);
    let (a, b) = forkscope::join(
        || {
            left.iter_mut().for_each(|x| *x *= 10);
            left.iter().sum::<u64>()
        },
        || right.iter().sum::<u64>(),
    );
    assert_eq!((a, b), (60, 15));
    assert_eq!(data, [10, 20, 30, 4, 5, 6]);

    let total = forkscope::scope(|s| {
        let h = s.spawn(|| {
            let (x, y) = forkscope::join(|| data[0], || data[5]);
            x + y
        });
        h.join().unwrap()
    });
    assert_eq!(total, 16);
}

// Proves: `&Scope` may be moved into a spawned closure (`move || s ...`),
// which can then spawn and join threads of its own that borrow `'env` data.
fn main() {
    let data = vec![1, 2, 3, 4];
    let total = forkscope::scope(|s| {
        // A reference (`Copy`), so the `move` closure copies the borrow, not
        // the data: the nested spawn then borrows `data` itself.
        let data = &data;
        let outer = s.spawn(move || {
            let inner = s.spawn(|| data[2..].iter().sum::<i32>());
            data[..2].iter().sum::<i32>() + inner.join().unwrap()
        });
        outer.join().unwrap()
    });
    assert_eq!(total, 10);
}

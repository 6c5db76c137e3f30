// Proves: `Builder::spawn_scoped` takes the same borrowing closures as
// `Scope::spawn` and returns a handle inside a `Result`.
fn main() {
    let mut counter = 0;
    let numbers = [1, 2, 3];
    forkscope::scope(|s| {
        let sum = forkscope::Builder::new()
            .name("summer".into())
            .stack_size(256 * 1024)
            .spawn_scoped(s, || numbers.iter().sum::<i32>())
            .expect("thread started");
        forkscope::Builder::new()
            .spawn_scoped(s, || counter += 1)
            .expect("thread started");
        assert_eq!(sum.join().unwrap(), 6);
    });
    assert_eq!(counter, 1);
}

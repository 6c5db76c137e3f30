// Proves: data a running spawn borrows cannot be mutated by the scope's
// closure while the spawn's handle is alive (E0502).
fn main() {
    let mut v = vec![1, 2, 3];
    forkscope::scope(|s| {
        let handle = s.spawn(|| v.len());
        v.push(4);
        handle.join().unwrap();
    });
}

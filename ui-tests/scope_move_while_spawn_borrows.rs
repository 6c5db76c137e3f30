// Proves: what a running spawn borrows cannot be moved away while the spawn's
// handle is alive (E0505). The moved value is the unique reference `v`
// through which the spawn borrows the data: moving the vector itself would
// first make it a local of the scope's closure (a second error, E0373).
fn main() {
    let mut data = vec![1, 2, 3];
    let v = &mut data;
    forkscope::scope(|s| {
        let handle = s.spawn(|| v.len());
        let moved = v;
        handle.join().unwrap();
        moved.push(4);
    });
}

// Proves: a spawned closure cannot borrow a local of the closure that spawns
// it (here the closure passed to `scope`): the local dies when that closure
// returns, but the spawn may run until the end of the scope (E0373).
fn main() {
    forkscope::scope(|s| {
        let local = String::from("abcd");
        s.spawn(|| local.len());
    });
}

// Proves: a `ScopedJoinHandle` cannot escape its scope by assignment to a
// variable outside it (E0521).
fn main() {
    let mut escaped = None;
    forkscope::scope(|s| {
        escaped = Some(s.spawn(|| 1));
    });
    drop(escaped);
}

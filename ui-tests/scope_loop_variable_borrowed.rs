// Proves: a spawn in a loop cannot borrow the loop variable (without `move`):
// it dies at the end of the iteration, the spawn may run on (E0373).
fn main() {
    forkscope::scope(|s| {
        for i in 0..4 {
            s.spawn(|| i * 2);
        }
    });
}

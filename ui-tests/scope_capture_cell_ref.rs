// Proves: a spawned closure cannot capture `&Cell` (`Cell` is not `Sync`)
// (E0277).
use std::cell::Cell;

fn main() {
    let cell = Cell::new(0);
    forkscope::scope(|s| {
        s.spawn(|| cell.set(1));
    });
}

// Proves: the halves of `join` cannot share a `Cell` (`&Cell` is not `Send`,
// as `Cell` is not `Sync`) (E0277).
use std::cell::Cell;

fn main() {
    let cell = Cell::new(0);
    forkscope::join(|| cell.set(1), || cell.set(2));
}

// Proves: `par_iter` needs `Sync` items: workers share `&Cell`s otherwise
// (E0599: the slice is not a parallel iterator source then).
use forkscope::prelude::*;
use std::cell::Cell;

fn main() {
    let v = vec![Cell::new(1), Cell::new(2)];
    v.par_iter().for_each(|c| c.set(0));
}

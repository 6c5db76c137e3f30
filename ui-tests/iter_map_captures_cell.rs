// Proves: a `map` closure must be `Sync`: one capturing a `&Cell` could be
// called from two workers at once (E0277).
use forkscope::prelude::*;
use std::cell::Cell;

fn main() {
    let v = vec![1, 2, 3];
    let count = Cell::new(0);
    let _: i32 = v.par_iter().map(|x| {
        count.set(count.get() + 1);
        *x
    }).sum();
}

// Proves: `par_iter_mut` needs `Send` items: a `&mut Rc` moved to another
// worker could clone the `Rc` there (E0599).
use forkscope::prelude::*;
use std::rc::Rc;

fn main() {
    let mut v = vec![Rc::new(1), Rc::new(2)];
    v.par_iter_mut().for_each(|r| *r = Rc::new(0));
}

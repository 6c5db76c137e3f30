// Proves: the items of a parallel iterator must be `Send`: a `map` that
// returns an `Rc` would hand it from worker to worker (E0277).
use forkscope::prelude::*;
use std::rc::Rc;

fn main() {
    let v = vec![1, 2, 3];
    let mut out = Vec::new();
    v.par_iter().map(|x| Rc::new(*x)).collect_into_vec(&mut out);
}

// Proves: owning iteration needs `Send` items: `into_par_iter` hands each
// `Rc` to whichever worker takes its piece, while clones of it stay
// behind (E0599).
use forkscope::prelude::*;
use std::rc::Rc;

fn main() {
    let shared = Rc::new(1);
    let v = vec![Rc::clone(&shared), Rc::clone(&shared)];
    v.into_par_iter().for_each(|r| drop(r));
}

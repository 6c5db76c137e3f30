// Proves: a `join` closure cannot capture an `Rc` (not `Send`): either half
// may run on another thread (E0277).
use std::rc::Rc;

fn main() {
    let rc = Rc::new(1);
    forkscope::join(move || *rc, || 2);
}

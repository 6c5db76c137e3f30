// Proves: a `join` closure cannot return a non-`Send` value (`Rc`): a half run
// on another thread hands its result back across threads (E0277).
use std::rc::Rc;

fn main() {
    forkscope::join(|| 1, || Rc::new(2));
}

// Proves: a spawned closure cannot capture an `Rc` (not `Send`) (E0277).
use std::rc::Rc;

fn main() {
    let rc = Rc::new(1);
    forkscope::scope(|s| {
        s.spawn(move || *rc);
    });
}

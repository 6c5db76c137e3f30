// Proves: `Builder::spawn_scoped` has the same `Send` bound as `Scope::spawn`:
// its closure cannot capture an `Rc` (E0277).
use std::rc::Rc;

fn main() {
    let rc = Rc::new(1);
    forkscope::scope(|s| {
        let _ = forkscope::Builder::new().spawn_scoped(s, move || *rc);
    });
}

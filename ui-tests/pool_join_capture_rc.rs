// Proves: `ThreadPool::join` has the same `Send` bounds as `forkscope::join`:
// a closure cannot capture an `Rc` (E0277).
use std::rc::Rc;

fn main() {
    let pool = forkscope::ThreadPoolBuilder::new().build().unwrap();
    let rc = Rc::new(1);
    pool.join(|| 1, move || *rc);
}

// Proves: `ThreadPool::install` runs its closure on a pool worker, so the
// closure must be `Send`: it cannot capture an `Rc` (E0277).
use std::rc::Rc;

fn main() {
    let pool = forkscope::ThreadPoolBuilder::new().build().unwrap();
    let rc = Rc::new(1);
    pool.install(move || *rc);
}

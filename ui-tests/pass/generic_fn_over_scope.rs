// Proves: a named `fn` generic over `'scope, 'env` can take
// `&'scope Scope<'scope, 'env>` and spawn borrowing `'env` data.
use forkscope::{Scope, ScopedJoinHandle};

fn spawn_sum<'scope, 'env>(
    s: &'scope Scope<'scope, 'env>,
    data: &'env [u64],
) -> ScopedJoinHandle<'scope, u64> {
    s.spawn(move || data.iter().sum())
}

fn main() {
    let data = vec![1, 2, 3, 4, 5];
    let total = forkscope::scope(|s| {
        let (left, right) = data.split_at(2);
        let l = spawn_sum(s, left);
        let r = spawn_sum(s, right);
        l.join().unwrap() + r.join().unwrap()
    });
    assert_eq!(total, 15);
}

// Proves: `Scope` is invariant in `'scope`: `&'scope Scope<'scope, 'env>`
// cannot be coerced to a shorter `'scope`, which would let spawns borrow data
// that dies before the scope ends (lifetime error, invariance note).
use forkscope::Scope;

fn shrink<'short, 'scope: 'short, 'env>(
    s: &'short Scope<'scope, 'env>,
) -> &'short Scope<'short, 'env> {
    s
}

fn main() {
    forkscope::scope(|s| {
        shrink(s);
    });
}

// Proves: `Scope` is invariant in `'env`: `Scope<'scope, 'env>` cannot be
// coerced to a `Scope` with a shorter `'env` (lifetime error, invariance
// note). rustc's note names `'scope`, the first invariant parameter, but only
// `'env`'s invariance is at stake here: `'scope` is unchanged, and with a
// covariant `'env` this function compiles.
use forkscope::Scope;

fn shrink_env<'scope, 'short: 'scope, 'env: 'short>(
    s: &'scope Scope<'scope, 'env>,
) -> &'scope Scope<'scope, 'short> {
    s
}

fn main() {
    forkscope::scope(|s| {
        shrink_env(s);
    });
}

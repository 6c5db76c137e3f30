// Proves: an inner scope's `&Scope` cannot be moved into a spawn of an outer
// scope, which may outlive the inner one (lifetime error).
fn main() {
    forkscope::scope(|outer| {
        forkscope::scope(|inner| {
            outer.spawn(move || {
                inner.spawn(|| 1);
            });
        });
    });
}

// Proves: `&Scope` cannot be returned out of `scope` (lifetime error).
fn main() {
    let s = forkscope::scope(|s| s);
    let _ = s;
}

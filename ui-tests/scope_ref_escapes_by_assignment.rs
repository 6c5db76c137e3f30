// Proves: `&Scope` cannot escape `scope` by assignment to a variable outside
// it (E0521).
fn main() {
    let mut escaped = None;
    forkscope::scope(|s| {
        escaped = Some(s);
    });
    let _ = escaped;
}

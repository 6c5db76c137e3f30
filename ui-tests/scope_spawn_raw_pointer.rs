// Proves: a spawned closure cannot capture a raw pointer (`*const T` is not
// `Send`) (E0277).
fn main() {
    let x = 5;
    let p: *const i32 = &x;
    forkscope::scope(|s| {
        s.spawn(move || p.is_null());
    });
}

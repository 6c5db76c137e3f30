// Proves: one half of `join` cannot mutate data the other half reads (E0502).
fn main() {
    let mut v = vec![1, 2, 3];
    forkscope::join(|| v.push(4), || v.len());
}

// Proves: two spawns cannot both borrow the same data mutably (E0499).
fn main() {
    let mut x = 0;
    forkscope::scope(|s| {
        s.spawn(|| x += 1);
        s.spawn(|| x += 1);
    });
}

// Proves: the two halves of `join` cannot both borrow the same data mutably:
// they may run at the same time (E0499).
fn main() {
    let mut x = 0;
    forkscope::join(|| x += 1, || x += 1);
}

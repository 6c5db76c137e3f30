// Proves: `map` takes `Fn`, not `FnMut`: a closure that mutates captured
// state could run on several workers at once (E0594).
use forkscope::prelude::*;

fn main() {
    let v = vec![1, 2, 3];
    let mut calls = 0;
    let _: i32 = v.par_iter().map(|x| {
        calls += 1;
        *x
    }).sum();
}

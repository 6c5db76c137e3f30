// Proves: `for_each` takes `Fn`, not `FnMut`: pushing into a captured
// vector from every worker would be a data race (E0596).
use forkscope::prelude::*;

fn main() {
    let v = vec![1, 2, 3];
    let mut seen = Vec::new();
    v.par_iter().for_each(|x| seen.push(*x));
}

// Proves: a filtered iterator is not indexed: how many items pass is known
// only afterwards, so it cannot be zipped, enumerated or collected in place
// (E0599).
use forkscope::prelude::*;

fn main() {
    let v = vec![1, 2, 3];
    let _ = v.par_iter().filter(|x| **x > 1).enumerate();
    let _ = v.par_iter().filter(|x| **x > 1).zip(v.par_iter());
    let mut out = Vec::new();
    v.par_iter().filter(|x| **x > 1).collect_into_vec(&mut out);
}

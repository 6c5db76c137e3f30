// Proves: a producer cannot outlive its `with_producer` callback: it may
// borrow from the iterator (a `map`'s closure, a slice), so it cannot be
// boxed up as `'static` and returned (E0310).
use forkscope::iter::plumbing::{Producer, ProducerCallback};
use forkscope::prelude::*;

struct Smuggle;

impl<T> ProducerCallback<T> for Smuggle {
    type Output = Box<dyn std::any::Any + Send>;
    fn callback<P: Producer<Item = T>>(self, producer: P) -> Self::Output {
        Box::new(producer)
    }
}

fn main() {
    let v = vec![1, 2, 3];
    let _escaped = v.par_iter().with_producer(Smuggle);
}

//! Parse and check: the shipped policies and a generated 1,000-rule policy.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use handoff::Analysis;

#[path = "support/generated_policy.rs"]
mod generated_policy;
use generated_policy::generated_policy;

fn bench(c: &mut Criterion) {
    let payments = include_str!("../policies/payments.handoff");
    let generated = generated_policy(1000);
    let a = Analysis::new("generated", generated.clone());
    assert!(!a.has_errors(), "generated policy has errors");
    let mut g = c.benchmark_group("check");
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/policies"));
    assert!(!Analysis::new_in("p", payments, Some(dir)).has_errors(), "the shipped policy has errors");
    g.bench_function("payments.handoff", |b| b.iter(|| Analysis::new_in("p", black_box(payments), Some(dir))));
    g.bench_function("generated 1000 rules", |b| b.iter(|| Analysis::new("g", black_box(generated.as_str()))));
    g.bench_function("generated 1000 rules: compile", |b| b.iter(|| handoff::Policy::from_analysis(black_box(&a))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

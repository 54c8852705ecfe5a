//! The MD step loop allocates nothing: after the first step, every kernel, every thermostat
//! and a tempering replica's steps (with their evaporation checks) and samples reuse their
//! buffers. A counting global allocator checks it.

mod common;
use common::*;
use pelt::dynamics::thermostat::{Bussi, Langevin, NoseHooverChain, Nve};
use pelt::dynamics::{Containment, Md, State, Thermostat};
use pelt::landscape::Transform;
use pelt::potential::Potential;
use pelt::system::xyz;
use pelt::tempering::{MdWalker, Walker};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    /// Allocations made by this thread (tests run on threads of their own).
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    ALLOCATIONS.with(|c| c.set(c.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn md_steps_allocate_nothing() {
    let pos = xyz::read(&repo("inputs/structures/al55_ih.xyz"))
        .unwrap()
        .positions;
    for pot in potential_per_kernel("Al_EA.eam.alloy") {
        let thermostats: Vec<Box<dyn Thermostat>> = vec![
            Box::new(Nve),
            Box::new(Bussi::new(700.0, 100.0)),
            Box::new(Langevin::new(700.0, 100.0)),
            Box::new(NoseHooverChain::new(700.0, 100.0, 3)),
        ];
        for mut bath in thermostats {
            let md = Md {
                potential: &pot,
                transform: Transform::new(1e-4, -2.6 * 55.0, 4).unwrap(),
                containment: Some(Containment::around(&pos, pot.cutoff())),
                timestep: 2.0,
            };
            let mut rng = pelt::rng::stream(3, 0);
            let mut state = State::at_rest(pos.clone(), pot.mass());
            state.thermalize(700.0, &mut rng);
            md.evaluate(&mut state);
            md.step(&mut state, bath.as_mut(), &mut rng);
            let n = allocations_during(|| {
                for _ in 0..500 {
                    md.step(&mut state, bath.as_mut(), &mut rng);
                }
            });
            assert_eq!(
                n,
                0,
                "{} kernel, {}: {n} allocations",
                pot.kernel(),
                bath.name()
            );
            assert!(state.temperature() > 100.0, "the cluster did move");
        }
    }
}

#[test]
fn replica_steps_and_samples_allocate_nothing() {
    let pot = potential("Al_EA.eam.alloy");
    let pos = xyz::read(&repo("inputs/structures/al55_ih.xyz"))
        .unwrap()
        .positions;
    let md = Md {
        potential: &pot,
        transform: Transform::identity(),
        containment: Some(Containment::around(&pos, pot.cutoff())),
        timestep: 2.0,
    };
    let mut w = MdWalker::new(
        md,
        pos,
        pot.mass(),
        600.0,
        Box::new(Bussi::new(600.0, 100.0)),
        5,
        0,
    );
    w.step(1);
    let mut phi = 0.0;
    let n = allocations_during(|| {
        // 1000 steps span ten evaporation checks; a sample every 10 steps.
        for step in 2..1002 {
            w.step(step);
            if step % 10 == 0 {
                phi += w.sample().phi;
            }
        }
    });
    assert_eq!(n, 0, "{n} allocations in 1000 replica steps");
    assert!(phi < 0.0);
}

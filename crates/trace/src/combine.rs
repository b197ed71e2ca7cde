//! Running several inspectors at once.

use ember_interpreter::{
    CallInputs, CallOutcome, CreateInputs, CreateOutcome, Exit, Inspector, Interpreter, Log,
};
use ember_primitives::{Address, U256};

/// Two inspectors, each called in turn (the first one first).
#[derive(Clone, Debug, Default)]
pub struct Both<A, B>(pub A, pub B);

impl<A: Inspector, B: Inspector> Inspector for Both<A, B> {
    fn wants_steps(&self) -> bool {
        self.0.wants_steps() || self.1.wants_steps()
    }
    fn wants_call_input(&self) -> bool {
        self.0.wants_call_input() || self.1.wants_call_input()
    }
    fn step(&mut self, interp: &Interpreter) {
        self.0.step(interp);
        self.1.step(interp);
    }
    fn step_end(&mut self, interp: &Interpreter) {
        self.0.step_end(interp);
        self.1.step_end(interp);
    }
    fn step_exit(&mut self, interp: &Interpreter, exit: Exit) {
        self.0.step_exit(interp, exit);
        self.1.step_exit(interp, exit);
    }
    fn call(&mut self, inputs: &CallInputs, depth: usize) {
        self.0.call(inputs, depth);
        self.1.call(inputs, depth);
    }
    fn call_end(&mut self, inputs: &CallInputs, outcome: &CallOutcome, depth: usize) {
        self.0.call_end(inputs, outcome, depth);
        self.1.call_end(inputs, outcome, depth);
    }
    fn create(&mut self, inputs: &CreateInputs, depth: usize) {
        self.0.create(inputs, depth);
        self.1.create(inputs, depth);
    }
    fn create_end(&mut self, inputs: &CreateInputs, outcome: &CreateOutcome, depth: usize) {
        self.0.create_end(inputs, outcome, depth);
        self.1.create_end(inputs, outcome, depth);
    }
    fn log(&mut self, log: &Log) {
        self.0.log(log);
        self.1.log(log);
    }
    fn selfdestruct(&mut self, address: Address, target: Address, value: U256) {
        self.0.selfdestruct(address, target, value);
        self.1.selfdestruct(address, target, value);
    }
}

/// An inspector that may be absent; without one it observes nothing and, when the other
/// parts of a [`Both`] want no steps either, costs nothing.
#[derive(Clone, Debug, Default)]
pub struct Maybe<I>(pub Option<I>);

impl<I: Inspector> Inspector for Maybe<I> {
    fn wants_steps(&self) -> bool {
        self.0.as_ref().is_some_and(|i| i.wants_steps())
    }
    fn wants_call_input(&self) -> bool {
        self.0.as_ref().is_some_and(|i| i.wants_call_input())
    }
    fn step(&mut self, interp: &Interpreter) {
        if let Some(i) = &mut self.0 {
            i.step(interp);
        }
    }
    fn step_end(&mut self, interp: &Interpreter) {
        if let Some(i) = &mut self.0 {
            i.step_end(interp);
        }
    }
    fn step_exit(&mut self, interp: &Interpreter, exit: Exit) {
        if let Some(i) = &mut self.0 {
            i.step_exit(interp, exit);
        }
    }
    fn call(&mut self, inputs: &CallInputs, depth: usize) {
        if let Some(i) = &mut self.0 {
            i.call(inputs, depth);
        }
    }
    fn call_end(&mut self, inputs: &CallInputs, outcome: &CallOutcome, depth: usize) {
        if let Some(i) = &mut self.0 {
            i.call_end(inputs, outcome, depth);
        }
    }
    fn create(&mut self, inputs: &CreateInputs, depth: usize) {
        if let Some(i) = &mut self.0 {
            i.create(inputs, depth);
        }
    }
    fn create_end(&mut self, inputs: &CreateInputs, outcome: &CreateOutcome, depth: usize) {
        if let Some(i) = &mut self.0 {
            i.create_end(inputs, outcome, depth);
        }
    }
    fn log(&mut self, log: &Log) {
        if let Some(i) = &mut self.0 {
            i.log(log);
        }
    }
    fn selfdestruct(&mut self, address: Address, target: Address, value: U256) {
        if let Some(i) = &mut self.0 {
            i.selfdestruct(address, target, value);
        }
    }
}

/**
 * Policy-gradient agents: REINFORCE with reward-to-go, an optional value baseline and an
 * entropy bonus; one-step actor-critic with a Q critic; tabular and linear softmax policies with
 * analytic gradients; a TensorFlow.js network policy; a factorised per-customer policy for
 * population envs.
 *
 * The TensorFlow.js network policy lives in `./network` and is not re-exported here, so that
 * importing the agents does not load TF.js; import it from `agents/policy-gradient/network`.
 */
export * from './returns';
export * from './policy';
export * from './optim';
export * from './reinforce';
export * from './actor-critic';
export * from './factorised';

/**
 * The marketing-campaign simulator: a customer population with hidden uplift types, seen as
 * one customer over weeks (`MarketingCustomer-v0`) or the whole population per week
 * (`MarketingPopulation-v0`), with ground-truth expected rewards and baseline policies.
 */
import { register } from '../../src/index';
import { MarketingCustomerEnv, type MarketingCustomerOptions } from './customer-env';
import { MarketingPopulationEnv, type MarketingPopulationOptions } from './population-env';

export * from './params';
export * from './simulator';
export * from './baselines';
export * from './ground-truth';
export * from './customer-env';
export * from './population-env';

register(
  'MarketingCustomer-v0',
  (kwargs) => new MarketingCustomerEnv(kwargs as MarketingCustomerOptions),
  {
    maxEpisodeSteps: 52,
    description: 'One customer over a 52-week e-mail campaign: no e-mail, e-mail or coupon.',
  },
);

register(
  'MarketingPopulation-v0',
  (kwargs) => new MarketingPopulationEnv(kwargs as MarketingPopulationOptions),
  {
    maxEpisodeSteps: 52,
    description: 'A population of customers over a 52-week campaign, one action per customer.',
  },
);

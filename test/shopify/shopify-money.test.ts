/** Shopify money strings to integer minor units by the ISO 4217 exponent. */
import { currencyExponent, toMinorUnits } from '../../src/features/shopify/shopify-money.js';

it('knows the exponents of JPY, USD and KWD', () => {
  expect([currencyExponent('JPY'), currencyExponent('USD'), currencyExponent('KWD')]).toEqual([0, 2, 3]);
});

it('converts exactly, without floating point', () => {
  expect(toMinorUnits('359.97', 'USD')).toBe(35_997);
  expect(toMinorUnits('0.29', 'USD')).toBe(29);
  expect(toMinorUnits('12', 'USD')).toBe(1200);
  expect(toMinorUnits('1.1', 'USD')).toBe(110);
  expect(toMinorUnits('12000', 'JPY')).toBe(12_000);
  expect(toMinorUnits('12000.0', 'JPY')).toBe(12_000);
  expect(toMinorUnits('12.345', 'KWD')).toBe(12_345);
  expect(toMinorUnits('12.50', 'KWD')).toBe(12_500);
});

it('refuses what is not an amount of the currency', () => {
  expect(toMinorUnits('1.005', 'USD')).toBeUndefined();
  expect(toMinorUnits('12.5', 'JPY')).toBeUndefined();
  expect(toMinorUnits('-1.00', 'USD')).toBeUndefined();
  expect(toMinorUnits('1e3', 'USD')).toBeUndefined();
  expect(toMinorUnits('', 'USD')).toBeUndefined();
  expect(toMinorUnits('99999999999999999', 'USD')).toBeUndefined();
});

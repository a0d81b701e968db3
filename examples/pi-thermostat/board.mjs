// A stand-in for the Pi's GPIO header: a heater relay pin and a temperature sensor, in memory.
// On a real Pi, swap these two functions for your GPIO and sensor library; nothing else changes.

/** BCM pin numbers, as they would be wired. */
export const HEATER_PIN = 17;

export function createBoard({ startCelsius = 18.5 } = {}) {
  const pins = { [HEATER_PIN]: 0 };
  let celsius = startCelsius;
  return {
    pins,
    /** The room warms by 0.4 °C a reading with the heater on and cools by 0.2 °C with it off. */
    readTemperature() {
      celsius += pins[HEATER_PIN] ? 0.4 : -0.2;
      return Math.round(celsius * 10) / 10;
    },
    /** Drives the relay pin high (on) or low (off); returns the new pin level. */
    setHeater(on) {
      pins[HEATER_PIN] = on ? 1 : 0;
      return pins[HEATER_PIN];
    },
  };
}

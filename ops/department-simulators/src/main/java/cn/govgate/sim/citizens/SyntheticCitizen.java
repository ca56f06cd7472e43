package cn.govgate.sim.citizens;

import java.time.LocalDate;

/**
 * One synthetic person: a valid but never-issued resident ID number, a name assembled from
 * character lists, the birth date and gender the ID number encodes, a synthetic mobile number and
 * the home region (a city-level GB/T 2260 code such as {@code 330100}). Personal data all the same:
 * never log it unmasked.
 */
public record SyntheticCitizen(
    String idNumber,
    String name,
    LocalDate birthDate,
    Gender gender,
    String phone,
    String homeRegion) {

  /** Gender as encoded by the parity of the ID number's sequence digits. */
  public enum Gender {
    MALE,
    FEMALE
  }

  @Override
  public String toString() {
    // Keeps personal data out of logs and assertion messages that print records.
    return "SyntheticCitizen[" + ResidentIds.mask(idNumber) + ", " + homeRegion + "]";
  }
}

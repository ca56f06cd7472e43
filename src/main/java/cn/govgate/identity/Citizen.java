package cn.govgate.identity;

/**
 * A citizen's government identity, decrypted in memory only. Never log it: {@link #toString()}
 * masks.
 *
 * @param citizenKey the pseudonymous key (tokens, audit, other tables)
 * @param idNumber the 18-character ID number, normalised
 * @param name the full name
 */
public record Citizen(String citizenKey, String idNumber, String name) {
  @Override
  public String toString() {
    return "Citizen[" + IdNumber.mask(idNumber) + "]";
  }
}

package cn.govgate.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

/**
 * Known-answer tests of the SM algorithms govgate uses, from the standards' published vectors, each
 * also cross-checked against a second implementation: the machine's {@code openssl} where its build
 * has SM3/SM4 (OpenSSL 3 has SM3, HMAC-SM3 and SM4-ECB/CTR, but no SM4-GCM: that is rebuilt here
 * from openssl's SM4 and a GHASH written from NIST SP 800-38D), else Bouncy Castle's JCA provider
 * path.
 */
class KnownAnswerTest {
  private static final HexFormat HEX = HexFormat.of();

  // GB/T 32907-2016 Appendix A, example 1.
  private static final String SM4_KEY = "0123456789abcdeffedcba9876543210";
  private static final String SM4_PLAIN = "0123456789abcdeffedcba9876543210";
  private static final String SM4_CIPHER = "681edf34d206965e86b3e94f536e4246";

  // GB/T 32905-2016 Appendix A: "abc" and the 512-bit "abcd" × 16.
  private static final String SM3_ABC =
      "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";
  private static final String SM3_512 =
      "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732";

  // GM/T 0042-2015 Appendix D.3, first HMAC-SM3 vector.
  private static final String HMAC_KEY =
      "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
  private static final String HMAC_MSG =
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".repeat(2);
  private static final String HMAC_SM3 =
      "ca05e144ed05d1857840d1f318a4a8669e559fc8391f414485bfdf7bb408963a";

  // RFC 8998 Appendix A.1, SM4-GCM.
  private static final String GCM_KEY = "0123456789abcdeffedcba9876543210";
  private static final String GCM_IV = "00001234567800000000abcd";
  private static final String GCM_AAD = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
  private static final String GCM_PLAIN =
      "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd"
          + "eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa";
  private static final String GCM_CIPHER =
      "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735"
          + "d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d";
  private static final String GCM_TAG = "83de3541e4c2b58177e065a9bf7b62ec";

  @Test
  void sm4EncryptsTheStandardsBlock() {
    SM4Engine engine = new SM4Engine();
    engine.init(true, new KeyParameter(HEX.parseHex(SM4_KEY)));
    byte[] out = new byte[16];
    engine.processBlock(HEX.parseHex(SM4_PLAIN), 0, out, 0);
    assertThat(HEX.formatHex(out)).isEqualTo(SM4_CIPHER);
    assertThat(HEX.formatHex(sm4Block(HEX.parseHex(SM4_KEY), HEX.parseHex(SM4_PLAIN))))
        .isEqualTo(SM4_CIPHER);
  }

  @Test
  void sm3HashesTheStandardsMessages() {
    assertThat(HEX.formatHex(sm3("abc".getBytes(StandardCharsets.US_ASCII)))).isEqualTo(SM3_ABC);
    byte[] m512 = "abcd".repeat(16).getBytes(StandardCharsets.US_ASCII);
    assertThat(HEX.formatHex(sm3(m512))).isEqualTo(SM3_512);
    if (OpenSsl.has("digest", "SM3")) {
      assertThat(
              OpenSsl.hex(
                  OpenSsl.run("abc".getBytes(StandardCharsets.US_ASCII), "dgst", "-sm3", "-r")))
          .isEqualTo(SM3_ABC);
      assertThat(OpenSsl.hex(OpenSsl.run(m512, "dgst", "-sm3", "-r"))).isEqualTo(SM3_512);
    } else {
      assertThat(HEX.formatHex(jca("SM3", m512))).isEqualTo(SM3_512);
    }
  }

  @Test
  void hmacSm3MatchesGmt0042() {
    byte[] key = HEX.parseHex(HMAC_KEY);
    byte[] msg = HMAC_MSG.getBytes(StandardCharsets.US_ASCII);
    assertThat(HEX.formatHex(MacAlgorithm.HMAC_SM3.mac(key, msg))).isEqualTo(HMAC_SM3);
    // Split input gives the same MAC (the blind index and audit hash feed it in parts).
    assertThat(
            HEX.formatHex(
                MacAlgorithm.HMAC_SM3.mac(
                    key, Arrays.copyOf(msg, 10), Arrays.copyOfRange(msg, 10, msg.length))))
        .isEqualTo(HMAC_SM3);
    if (OpenSsl.has("digest", "SM3")) {
      assertThat(
              OpenSsl.hex(
                  OpenSsl.run(
                      msg, "mac", "-digest", "SM3", "-macopt", "hexkey:" + HMAC_KEY, "HMAC")))
          .isEqualTo(HMAC_SM3);
    } else {
      assertThat(HEX.formatHex(jcaMac("HMACSM3", key, msg))).isEqualTo(HMAC_SM3);
    }
  }

  @Test
  void sm4GcmMatchesRfc8998() throws Exception {
    byte[] key = HEX.parseHex(GCM_KEY);
    byte[] iv = HEX.parseHex(GCM_IV);
    byte[] aad = HEX.parseHex(GCM_AAD);
    byte[] sealed = SealAlgorithm.SM4_GCM.seal(key, iv, aad, HEX.parseHex(GCM_PLAIN));
    assertThat(HEX.formatHex(Arrays.copyOfRange(sealed, 0, 12))).isEqualTo(GCM_IV);
    assertThat(HEX.formatHex(Arrays.copyOfRange(sealed, 12, sealed.length - 16)))
        .isEqualTo(GCM_CIPHER);
    assertThat(HEX.formatHex(Arrays.copyOfRange(sealed, sealed.length - 16, sealed.length)))
        .isEqualTo(GCM_TAG);
    assertThat(HEX.formatHex(SealAlgorithm.SM4_GCM.open(key, aad, sealed))).isEqualTo(GCM_PLAIN);

    byte[] second =
        OpenSsl.has("cipher", "SM4-ECB")
            ? gcmFromOpenSslSm4(key, iv, aad, HEX.parseHex(GCM_PLAIN))
            : jcaGcm(key, iv, aad, HEX.parseHex(GCM_PLAIN));
    assertThat(HEX.formatHex(second)).isEqualTo(GCM_CIPHER + GCM_TAG);
  }

  @Test
  void aSealedValueDoesNotOpenAlteredOrUnderOtherAssociatedData() {
    for (SealAlgorithm a : SealAlgorithm.values()) {
      byte[] key = a.key(new byte[32], "data");
      byte[] sealed =
          a.seal(key, "citizens.name".getBytes(), "张三".getBytes(StandardCharsets.UTF_8));
      assertThat(
              new String(a.open(key, "citizens.name".getBytes(), sealed), StandardCharsets.UTF_8))
          .isEqualTo("张三");
      assertThatThrownBy(() -> a.open(key, "citizens.id_number".getBytes(), sealed))
          .isInstanceOf(SealAlgorithm.SealException.class);
      byte[] flipped = sealed.clone();
      flipped[14] ^= 1;
      assertThatThrownBy(() -> a.open(key, "citizens.name".getBytes(), flipped))
          .isInstanceOf(SealAlgorithm.SealException.class);
    }
  }

  @Test
  void theSm4KeyIsDerivedWithTheSm3KdfAndDiffersPerUse() {
    byte[] configured = HEX.parseHex(HMAC_KEY);
    byte[] data = SealAlgorithm.SM4_GCM.key(configured, "data");
    // GB/T 32918.4 §5.4.3 with klen = 128: the first 16 bytes of SM3(Z ‖ 00000001), computed here
    // without the KDF.
    byte[] z = concat(configured, "govgate/sm4-gcm/data".getBytes(StandardCharsets.US_ASCII));
    assertThat(data).isEqualTo(Arrays.copyOf(sm3(concat(z, new byte[] {0, 0, 0, 1})), 16));
    assertThat(SealAlgorithm.SM4_GCM.key(configured, "registry")).isNotEqualTo(data);
    assertThat(SealAlgorithm.AES_256_GCM.key(configured, "data")).isEqualTo(configured);
  }

  // --- second implementations
  // ------------------------------------------------------------------------------

  private static byte[] sm3(byte[] in) {
    SM3Digest d = new SM3Digest();
    d.update(in, 0, in.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  private static byte[] sm4Block(byte[] key, byte[] block) {
    if (OpenSsl.has("cipher", "SM4-ECB")) {
      return OpenSsl.run(block, "enc", "-sm4-ecb", "-nopad", "-K", HEX.formatHex(key));
    }
    try {
      Cipher c = Cipher.getInstance("SM4/ECB/NoPadding", new BouncyCastleProvider());
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "SM4"));
      return c.doFinal(block);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * GCM (SP 800-38D) with openssl's SM4 as the block cipher: H = E(K, 0¹²⁸), J0 = IV ‖ 0³¹1, C =
   * CTR from inc32(J0) (openssl sm4-ctr), T = E(K, J0) ⊕ GHASH_H(A ‖ 0* ‖ C ‖ 0* ‖ [len(A)]64 ‖
   * [len(C)]64).
   */
  private static byte[] gcmFromOpenSslSm4(byte[] key, byte[] iv, byte[] aad, byte[] plain) {
    byte[] j0 = concat(iv, new byte[] {0, 0, 0, 1});
    byte[] counter = concat(iv, new byte[] {0, 0, 0, 2});
    byte[] c =
        OpenSsl.run(
            plain, "enc", "-sm4-ctr", "-K", HEX.formatHex(key), "-iv", HEX.formatHex(counter));
    byte[] h = sm4Block(key, new byte[16]);
    byte[] s = ghash(h, aad, c);
    byte[] ej0 = sm4Block(key, j0);
    byte[] tag = new byte[16];
    for (int i = 0; i < 16; i++) tag[i] = (byte) (ej0[i] ^ s[i]);
    return concat(c, tag);
  }

  private static byte[] ghash(byte[] h, byte[] aad, byte[] c) {
    byte[] y = new byte[16];
    for (byte[] part : List.of(aad, c)) {
      for (int off = 0; off < part.length; off += 16) {
        byte[] block = Arrays.copyOfRange(part, off, off + 16); // zero-padded past the end
        for (int i = 0; i < 16; i++) y[i] ^= block[i];
        y = gfMultiply(y, h);
      }
    }
    byte[] lengths = new byte[16];
    long a = aad.length * 8L;
    long l = c.length * 8L;
    for (int i = 0; i < 8; i++) {
      lengths[7 - i] = (byte) (a >>> (8 * i));
      lengths[15 - i] = (byte) (l >>> (8 * i));
    }
    for (int i = 0; i < 16; i++) y[i] ^= lengths[i];
    return gfMultiply(y, h);
  }

  /** Algorithm 1 of SP 800-38D, bit by bit. */
  private static byte[] gfMultiply(byte[] x, byte[] y) {
    byte[] z = new byte[16];
    byte[] v = y.clone();
    for (int i = 0; i < 128; i++) {
      if ((x[i / 8] >> (7 - i % 8) & 1) == 1) {
        for (int k = 0; k < 16; k++) z[k] ^= v[k];
      }
      boolean lsb = (v[15] & 1) == 1;
      for (int k = 15; k > 0; k--) v[k] = (byte) ((v[k] & 0xff) >>> 1 | (v[k - 1] & 1) << 7);
      v[0] = (byte) ((v[0] & 0xff) >>> 1);
      if (lsb) v[0] ^= (byte) 0xe1;
    }
    return z;
  }

  private static byte[] jcaGcm(byte[] key, byte[] iv, byte[] aad, byte[] plain) throws Exception {
    Cipher c = Cipher.getInstance("SM4/GCM/NoPadding", new BouncyCastleProvider());
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "SM4"), new GCMParameterSpec(128, iv));
    c.updateAAD(aad);
    return c.doFinal(plain);
  }

  private static byte[] jca(String digest, byte[] in) {
    try {
      return java.security.MessageDigest.getInstance(digest, new BouncyCastleProvider()).digest(in);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] jcaMac(String name, byte[] key, byte[] in) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance(name, new BouncyCastleProvider());
      mac.init(new SecretKeySpec(key, name));
      return mac.doFinal(in);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** The machine's openssl, when present: input on stdin, raw output. */
  static final class OpenSsl {
    private OpenSsl() {}

    /** Whether {@code openssl list -<kind>-algorithms} names {@code algorithm}. */
    static boolean has(String kind, String algorithm) {
      try {
        String list =
            new String(
                run(new byte[0], "list", "-" + kind + "-algorithms"), StandardCharsets.UTF_8);
        return list.toUpperCase().contains(algorithm.toUpperCase());
      } catch (IllegalStateException e) {
        return false;
      }
    }

    static byte[] run(byte[] stdin, String... args) {
      List<String> cmd = new ArrayList<>();
      cmd.add("openssl");
      cmd.addAll(List.of(args));
      try {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = p.getOutputStream()) {
          in.write(stdin);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream o = p.getInputStream()) {
          o.transferTo(out);
        }
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("openssl " + String.join(" ", args) + " failed");
        }
        return out.toByteArray();
      } catch (IOException e) {
        throw new IllegalStateException("openssl not available", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /**
     * The hex digest at the start of openssl's text output ({@code -r} form, or {@code mac}'s
     * upper-case hex).
     */
    static String hex(byte[] output) {
      String text = new String(output, StandardCharsets.US_ASCII).trim();
      return text.split("[\\s*]")[0].toLowerCase();
    }
  }
}

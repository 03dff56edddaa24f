package edu.stanford.nlp.util;

import java.util.Properties;

/** Stand-in for CoreNLP's StringUtils.stringToProperties: "a,b=false" -> {a: "true", b: "false"}. */
public class StringUtils {
  public static Properties stringToProperties(String str) {
    Properties result = new Properties();
    for (String term : str.split(",")) {
      String t = term.trim();
      if (t.isEmpty()) continue;
      int eq = t.indexOf('=');
      if (eq < 0) result.setProperty(t, "true");
      else result.setProperty(t.substring(0, eq).trim(), t.substring(eq + 1).trim());
    }
    return result;
  }
}

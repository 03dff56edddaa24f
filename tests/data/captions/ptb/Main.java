package edu.stanford.nlp.process;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * PTBTokenizer.main with -preserveLines -lowerCase, as CoreNLP 3.4.1 runs it: options ",tokenizeNLs", tokens
 * lowercased with Locale.ENGLISH, joined by single spaces, a newline for each *NL* token (tokReader). In the
 * lexer's package because PTBLexer is package-private.
 */
public class Main {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    LexedTokenFactory<String> strings = (str, begin, length) -> str;
    PTBLexer lexer = new PTBLexer(in, strings, ",tokenizeNLs");
    boolean beginLine = true;
    for (Object token; (token = lexer.next()) != null; ) {
      String text = (String) token;
      if (PTBLexer.NEWLINE_TOKEN.equals(text)) {
        beginLine = true;
        out.newLine();
        continue;
      }
      if (!beginLine) out.write(' ');
      beginLine = false;
      out.write(text.toLowerCase(Locale.ENGLISH));
    }
    out.flush();
  }
}

#include "cli/line_editor.hpp"

#include <editline/readline.h>
#include <signal.h>

#include <cassert>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string_view>

#include "cli/repl_words.hpp"

namespace regctl {
namespace {

// libedit calls plain functions; these carry its calls to the one editor.
LineEditor::Completer* active_completer = nullptr;
const std::string* active_prompt = nullptr;
std::vector<std::string> offered;  // the candidates of the Tab being answered
std::optional<LineEditor::Entered> entered;

void on_line(char* line) {
  if (line == nullptr) {
    entered = LineEditor::Entered{"", true};
    return;
  }
  entered = LineEditor::Entered{line, false};
  std::free(line);
}

char* next_offered(const char* /*text*/, int state) {
  static std::size_t index = 0;
  if (state == 0) index = 0;
  return index < offered.size() ? ::strdup(offered[index++].c_str()) : nullptr;
}

// The line before `start`. libedit 3.1's rl_copy_text(from, to) copies one
// character less than asked (strlcpy with the length as the size) and leaves
// the result unterminated when asked for none; rl_line_buffer may dangle once
// the line outgrows libedit's first buffer. So: ask for one more, cut to size.
std::string text_before(int start) {
  if (start <= 0) return "";
  char* copy = rl_copy_text(0, start + 1);
  if (copy == nullptr) return "";
  std::string text(copy);
  std::free(copy);
  if (text.size() > static_cast<std::size_t>(start)) text.resize(static_cast<std::size_t>(start));
  return text;
}

// libedit notices a new window size only while it reads a key; the shell
// mostly waits in poll(), so the size is caught here and handed over later.
volatile sig_atomic_t terminal_resized = 0;

void on_resize(int) { terminal_resized = 1; }

void follow_resize() {
  if (terminal_resized == 0) return;
  terminal_resized = 0;
  rl_resize_terminal();
}

// Terminal columns a UTF-8 string takes ("…" is three bytes, one column).
int columns_of(const std::string& text) {
  int count = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++count;
  return count;
}

// Clears the prompt and the line being typed from the screen; libedit keeps the line.
void erase_line(const std::string& prompt) {
  follow_resize();
  // The cursor is on a later row than the prompt when the line wraps.
  int rows = 0, columns = 0;
  rl_get_screen_size(&rows, &columns);
  const int cursor_row = columns > 0 ? (columns_of(prompt) + rl_point) / columns : 0;
  std::fputs("\r", stdout);
  if (cursor_row > 0) std::fprintf(stdout, "\x1b[%dA", cursor_row);
  std::fputs("\x1b[J", stdout);
  std::fflush(stdout);
}

// libedit 3.1-20221030 rings the bell after completing a word that had a
// single candidate (fn_complete2 beeps whenever it lists nothing). So a lone
// candidate that extends the word is typed in here, and libedit, handed no
// matches, has nothing left to do.
bool typed_in_alone(const char* text) {
  if (offered.size() != 1) return false;
  const std::string_view word(text);
  const std::string& candidate = offered.front();
  if (candidate.compare(0, word.size(), word) != 0) return false;
  erase_line(*active_prompt);
  rl_insert_text((candidate.substr(word.size()) + " ").c_str());
  rl_forced_update_display();
  return true;
}

char** complete(const char* text, int start, int /*end*/) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  auto words = split_shell_words(text_before(start));
  if (!words) return nullptr;
  words->emplace_back(text);
  offered = (*active_completer)(*words);
  if (offered.empty() || typed_in_alone(text)) return nullptr;
  return rl_completion_matches(text, next_offered);
}

}  // namespace

LineEditor::LineEditor(Completer completer) : completer_(std::move(completer)) {
  assert(active_completer == nullptr);
  active_completer = &completer_;
  active_prompt = &prompt_;
  // libedit decodes the prompt and the keys by the locale, and crashes on a
  // prompt it cannot decode; regctl writes UTF-8 ("…", tables) whatever it says.
  if (std::setlocale(LC_CTYPE, "") == nullptr || MB_CUR_MAX == 1) std::setlocale(LC_CTYPE, "C.UTF-8");
  rl_readline_name = "regctl";
  rl_initialize();
  using_history();
  rl_attempted_completion_function = complete;
  struct sigaction resize {};
  resize.sa_handler = on_resize;
  sigemptyset(&resize.sa_mask);
  ::sigaction(SIGWINCH, &resize, nullptr);
  // Words are separated by blanks only: "--server=host:port" and "a,b" are one word each.
  rl_basic_word_break_characters = " \t";
}

LineEditor::~LineEditor() {
  end();
  active_completer = nullptr;
  active_prompt = nullptr;
}

void LineEditor::add_history(const std::string& line) { ::add_history(line.c_str()); }

void LineEditor::begin(const std::string& prompt) {
  prompt_ = prompt;
  std::cout << std::flush;
  entered.reset();
  rl_callback_handler_install(prompt_.c_str(), on_line);
  reading_ = true;
}

void LineEditor::end() {
  if (!reading_) return;
  rl_callback_handler_remove();
  reading_ = false;
}

std::optional<LineEditor::Entered> LineEditor::feed() {
  follow_resize();
  rl_callback_read_char();
  if (!entered) return std::nullopt;
  reading_ = false;  // libedit has left its editing mode with the line
  return std::exchange(entered, std::nullopt);
}

void LineEditor::erase_from_screen() const { erase_line(prompt_); }

void LineEditor::print_above(const std::function<void()>& print) {
  if (!reading_) {
    print();
    return;
  }
  erase_from_screen();
  print();
  std::cout << std::flush;
  std::cerr << std::flush;
  rl_forced_update_display();
}

void LineEditor::change_prompt(const std::string& prompt) {
  if (!reading_ || prompt == prompt_) return;  // begin() shows the next prompt anew
  erase_from_screen();
  prompt_ = prompt;
  rl_set_prompt(prompt_.c_str());
  rl_forced_update_display();
}

void LineEditor::abandon_line() {
  if (!reading_) return;
  std::fputs("^C\n", stdout);
  end();
  begin(prompt_);
}

}  // namespace regctl

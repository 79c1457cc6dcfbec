#pragma once
// Line editing for `regctl shell`: libedit through its readline-compatible
// callback interface. The caller polls stdin together with its own
// descriptors and hands over the keys when they arrive, so other output (an
// event) can be printed above a line while it is being typed.
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace regctl {

class LineEditor {
 public:
  // Candidates for the last of `words`, the words before the cursor (the
  // last one partly typed, maybe empty).
  using Completer = std::function<std::vector<std::string>(const std::vector<std::string>& words)>;

  // libedit keeps its state in globals: one editor at a time.
  explicit LineEditor(Completer completer);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  void add_history(const std::string& line);

  // Shows the prompt on a line of its own and starts reading a line.
  void begin(const std::string& prompt);
  // Stops reading and gives the terminal back as it was (for a command's output).
  void end();

  struct Entered {
    std::string line;
    bool end_of_input = false;  // Ctrl-D on an empty line
  };
  // Takes the keys waiting on stdin: what was entered once Enter or Ctrl-D
  // ends the line, nothing while it is being typed.
  std::optional<Entered> feed();

  // Prints above the line being typed, which is drawn again below, as it was.
  void print_above(const std::function<void()>& print);
  // Shows another prompt in front of the line being typed.
  void change_prompt(const std::string& prompt);
  // Ctrl-C: abandons the line being typed and prompts again.
  void abandon_line();

 private:
  // Clears the prompt and the line from the screen; libedit keeps the line.
  void erase_from_screen() const;

  Completer completer_;
  std::string prompt_;
  bool reading_ = false;
};

}  // namespace regctl

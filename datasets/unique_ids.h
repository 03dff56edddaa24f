// The ids of an official file's records, each with where it was first seen, so that a repeated id is an error
// naming both records: "<where>: duplicate question_id 7 (first at <where first>)".
#pragma once
#include <string>
#include <unordered_map>

namespace infeval {

class UniqueIds {
 public:
  // `what` names an id in the error: "question_id", "image id".
  explicit UniqueIds(std::string what);

  // Remembers that `id` stands at `where`; InputError if it was seen before.
  void add(const std::string& id, const std::string& where);
  bool contains(const std::string& id) const;
  // Where `id` was first seen; std::out_of_range if it never was.
  const std::string& where(const std::string& id) const;

 private:
  std::string what_;
  std::unordered_map<std::string, std::string> where_of_;
};

}  // namespace infeval

Gem::Specification.new do |s|
  s.name = "lib"
end
